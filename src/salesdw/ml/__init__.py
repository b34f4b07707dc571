"""Predictive models that read the analytics views and write their results to the ml schema.

Kept light on purpose: importing salesdw.ml loads no model library; each model module imports
what it needs (statsmodels, scikit-learn, scipy) when it runs.
"""
