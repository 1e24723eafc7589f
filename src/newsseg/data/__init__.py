"""Training data: dataset building (readers -> segments -> a site-split dataset on disk), composed
pages, and the labelling functions that weakly label unlabelled text."""
