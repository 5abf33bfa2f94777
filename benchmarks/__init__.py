"""Benchmarks against botocore and smithy-aws-event-stream (not part of the test suite)."""
