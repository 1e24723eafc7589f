"""Documents and how they are cut into segments (lines, paragraphs), with the text primitives
(code-point classes, phrase lists) that features and labelling functions share."""
