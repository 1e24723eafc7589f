"""Segment features shared by the models, one concern per module: ``cues`` (the catalogue of line rules),
``line_forms`` (a batch's lines as the feature steps read them), ``line_stats`` (per-line statistics),
``recurrence`` (lines shared across a site's pages), ``page_structure`` (where the page's main prose block
is), ``assembly`` (the layout features and neighbour windows the models read).
"""
