from oscar.apps.shipping import repository

from marketplace.shipping.methods import ByOperator


class Repository(repository.Repository):
    methods = (ByOperator(),)
