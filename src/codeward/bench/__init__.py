"""The benchmark: datasets, systems (codeward and baselines), metrics and the report."""
