"""The gold data sets training and evaluation both read: one reader module per data set.

:mod:`kg.datasets.scierc` turns SciERC (DyGIE JSON lines) into spaCy ``Doc`` objects with gold
entities; :mod:`kg.datasets.csabstruct` reads CSAbstruct sentence-role files and builds the Doc
of an abstract's gold sentences. They live below both ``kg.train`` and ``kg.evaluation`` so that
neither has to import the other to read a file (layer 1: only the shared bottom and spaCy).
"""
