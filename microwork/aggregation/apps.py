from django.apps import AppConfig


class AggregationConfig(AppConfig):
    name = "microwork.aggregation"
    label = "aggregation"
    verbose_name = "Answer aggregation"
