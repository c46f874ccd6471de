"""The kpidsl grammar (kpi.lark), shipped inside the package as kpidsl.grammar."""
