"""Developer tools: the sample-data generator and the benchmark."""
