"""A stock django-oscar 4.2 shop, set up the way Oscar's "Building your own shop" describes, for the benchmark.

It holds the same generated catalogue as our shop (catalog/synthetic_data.py), so both are measured on equal data.
"""
