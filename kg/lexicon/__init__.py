"""The shared lexicon: surface-form normalisation, the topic scheme and the term tables.

Extraction and linking both read these (a gazetteer match and an alias merge must fold a
form the same way), so they sit below both stages instead of in one of them.
"""
