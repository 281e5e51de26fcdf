"""The OSE Specifications Metric: a versioned question set, contributors' answers per design, and each design's
score."""
