"""The vocabularies of fictional sites' page furniture (all text here is ours): places and paper names,
sections and topics, top bars, footers, notices, promotions, story-list headers. ``page_templates`` draws
each site's template from them."""

PLACES = ("Ashford", "Larkmoor", "Bellhaven", "Corran", "Dunmere", "Eastvale", "Fernley", "Glenrock", "Hollins",
          "Ironbridge", "Juniper", "Kestrel", "Lowmarsh", "Millbrook", "Northgate", "Oakhurst", "Pinecrest",
          "Queensferry", "Redcliff", "Stonefield", "Thornbury", "Upland", "Westbay", "Yarrow", "Brightwater",
          "Cedar Falls", "Silver Lake", "Riverside", "Harrowgate", "Marlow Bay", "Tidewater", "Foxhill")
PAPERS = ("Courier", "Herald", "Gazette", "Post", "Sentinel", "Chronicle", "Dispatch", "Observer", "Ledger",
          "Tribune", "Record", "Bulletin", "Times", "Standard", "Register", "Press", "News", "Daily", "Review")
TLDS = (".com", ".com", ".com", ".net", ".org", ".co.uk", ".news")
OWNERS = ("{place} Media Group", "{place} Publishing Ltd", "{name} Holdings", "{place} News Company",
          "Harbourline Media", "Northway Press Inc.", "{name} Media LLC")
# Section -> sub-sections, for menus, breadcrumbs and footers.
SECTIONS = {
    "News": ("Local", "National", "World", "Politics", "Elections", "Crime", "Courts", "Education", "Transport",
             "Weather", "Obituaries", "Health"),
    "Business": ("Markets", "Economy", "Companies", "Personal finance", "Property", "Jobs", "Small business",
                 "Energy", "Agriculture"),
    "Sport": ("Football", "Basketball", "Baseball", "Cricket", "Tennis", "Golf", "Motorsport", "Cycling",
              "Results", "Fixtures", "High school sports"),
    "Opinion": ("Editorials", "Columnists", "Letters to the editor", "Guest essays", "Cartoons"),
    "Culture": ("Film", "Television", "Music", "Books", "Arts", "Theatre", "Games", "Celebrity"),
    "Lifestyle": ("Food & drink", "Travel", "Fitness", "Home & garden", "Relationships", "Fashion", "Parenting",
                  "Pets"),
    "Science": ("Climate", "Space", "Environment", "Wildlife", "Medicine"),
    "Tech": ("Gadgets", "Apps", "Security", "Reviews", "Startups", "Gaming"),
    "Video": ("Latest videos", "Documentaries", "Live"),
    "Podcasts": (),
    "Photos": ("Galleries", "Picture of the day"),
    "Puzzles": ("Crossword", "Sudoku", "Word search"),
    "Community": ("Events", "Announcements", "Clubs & societies", "Volunteering"),
    "Motors": ("New cars", "Used cars", "Electric vehicles"),
    "Property": ("Homes for sale", "Rentals", "Commercial"),
    "Classifieds": ("Notices", "Jobs board", "Public notices"),
    "Newsletters": (),
    "Today's paper": (),
    "Archive": (),
}
TOPICS = ("Housing", "Schools", "Budget", "City council", "Flooding", "Wildfires", "Transit", "Elections",
          "Inflation", "Hospitals", "Farming", "Tourism", "Policing", "Courts", "Climate", "Water supply",
          "Roadworks", "Universities", "Energy prices", "Local sport", "Jobs", "Arts festival", "Heritage",
          "Immigration", "Taxes", "Coastline", "Rail", "Childcare", "Small business", "Crime")
TOP_BAR = ("Skip to main content", "Skip to navigation", "Search", "Search this site", "Log in", "Sign in",
           "Register", "My account", "Menu", "Close menu", "Open navigation", "Subscribe", "Today's paper",
           "E-paper", "Edition: National", "Newsletters", "Sign out", "Contact us", "Tip line")
SOCIAL = ("Facebook", "X", "Twitter", "Instagram", "YouTube", "LinkedIn", "TikTok", "RSS", "Threads", "WhatsApp")
FOOTER_COLUMNS = {
    "About": ("About us", "Our team", "Contact us", "Careers", "Work with us", "Corrections", "Ethics policy",
              "Newsroom standards", "Annual report"),
    "Help": ("Help centre", "FAQ", "Manage my account", "Manage subscription", "Delivery issues",
             "Accessibility", "Send feedback"),
    "Advertising": ("Advertise with us", "Media kit", "Place a notice", "Sponsored content guidelines",
                    "Partnerships"),
    "Legal": ("Terms of use", "Privacy policy", "Cookie policy", "Cookie settings", "Do not sell my information",
              "Licensing & reprints", "Complaints"),
    "More": ("Sitemap", "Archives", "RSS feeds", "Apps", "Puzzles", "Events", "Submit a news tip",
             "Send a letter", "Photo sales", "Shop"),
}
FOOTER_HEADERS = {"About": ("About", "About us", "Company", "Who we are"), "Help": ("Help", "Support", "Readers"),
                  "Advertising": ("Advertising", "Advertise", "Business"), "Legal": ("Legal", "Policies"),
                  "More": ("More", "Explore", "Useful links", "Our network")}
COPYRIGHT = ("© {year} {site}. All rights reserved.", "Copyright © {year} {owner}. All rights reserved.",
             "© {first}-{year} {owner}. All rights reserved. {site} is a trading name of {owner}.",
             "All content © {year} {site} unless stated otherwise. All rights reserved.",
             "Copyright {year} {owner}. All Rights Reserved.", "© {site} {year}")
REPRODUCTION = ("Material on this site may not be reproduced, distributed or broadcast without the prior "
                "written permission of {owner}.",
                "Use of this site constitutes acceptance of our terms of use and privacy policy.",
                "{site} is not responsible for the content of external websites.",
                "Reader comments are the views of their authors and not of {site}.")
COOKIE_TEXT = ("We use cookies and similar tools to run this site, measure how it is used and show you "
               "relevant advertising.",
               "This website stores cookies on your device. They help us remember your choices and count "
               "visits.",
               "By continuing to browse {site} you agree to our use of cookies as set out in our cookie "
               "policy.",
               "We and our partners process personal data such as your IP address to personalise content "
               "and ads.",
               "You can change your cookie choices at any time in the settings at the bottom of each page.")
COOKIE_BUTTONS = ("Accept all", "Accept", "Reject all", "Manage preferences", "Cookie settings", "Got it",
                  "I agree", "More options", "OK")
NEWSLETTER_PROMOS = ("Sign up for {site} Today: the morning's top stories in your inbox, free.",
                     "Never miss a story. Get our daily newsletter delivered every morning.",
                     "Get the best of {site} in your inbox every weekday.",
                     "Love local news? Join 40,000 readers who get our free evening briefing.",
                     "Our weekend newsletter: long reads, puzzles and the week in pictures. Sign up now.")
NEWSLETTER_BUTTONS = ("Sign me up", "Sign up now", "Subscribe for free", "Join now")
SUBSCRIBE_PROMOS = ("Support independent journalism. Subscribe from just $1 a week.",
                    "Unlimited digital access for 99p a month for the first three months. Subscribe today.",
                    "Become a member and enjoy ad-free reading on every device.",
                    "Local news matters. Help keep it alive with a digital subscription.",
                    "Already a print subscriber? Activate your free digital access now.")
APP_PROMOS = ("Get the {site} app for breaking news alerts.", "Download our free app on iOS and Android.",
              "Read the digital edition on the {site} app.")
AD_MARKERS = ("Advertisement", "ADVERTISEMENT", "Advertisement", "Sponsored content", "Ad")
SIDEBAR_WIDGETS = ("Weather", "Today's weather", "Traffic and travel", "Events near you", "Listen now",
                   "Latest podcast", "Today's puzzles", "Photo of the day")
RELATED_HEADERS = ("Related stories", "Related", "More stories", "More from {site}", "You might also like",
                   "Recommended for you", "Read next", "More in {section}", "Latest news", "Around the site")
MOST_READ_HEADERS = ("Most read", "Most popular", "Trending", "Most viewed", "What people are reading",
                     "Popular now", "Top stories")
TRENDING_HEADERS = ("Trending:", "Breaking:", "Latest:", "In the news:", "Hot topics:")
SHARE_LINES = ("Share", "Share this article", "Share this story", "Facebook", "Twitter", "X", "Email",
               "Copy link", "WhatsApp", "Print", "Save", "Reddit", "Share on Facebook", "Share on X")
TAG_HEADERS = ("Topics:", "Tags:", "Filed under:", "More on:", "Related topics")
SEPARATORS = (" | ", " · ", " / ", "  ")
