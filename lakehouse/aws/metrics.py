"""Run figures as CloudWatch metrics (namespace `Lakehouse`), one dimension per dataset."""

NAMESPACE = "Lakehouse"


def publish(cloudwatch, environment: str, dataset: str, figures: dict[str, int]) -> None:
    """Put one data point per figure, e.g. {"RowsLoaded": 500, "FilesRejected": 1}."""
    dimensions = [
        {"Name": "Environment", "Value": environment},
        {"Name": "Dataset", "Value": dataset},
    ]
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": name, "Dimensions": dimensions, "Value": value, "Unit": "Count"}
            for name, value in figures.items()
        ],
    )
