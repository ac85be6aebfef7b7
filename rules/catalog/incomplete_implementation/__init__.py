"""Rules of this category, one module per subcategory."""
