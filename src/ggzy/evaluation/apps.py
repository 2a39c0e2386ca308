from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "ggzy.evaluation"
    label = "evaluation"
    verbose_name = "评标、定标、合同与履约"
