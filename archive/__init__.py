"""orgnews archive: the SQLite store, its Chinese full-text search and exports.

All SQL of the project lives in this package.
"""
