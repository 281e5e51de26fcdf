import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    name = "marketplace.search"

    def ready(self):
        # Our view, imported directly: Oscar's get_class would also import Oscar's own search views, whose facets
        # module loads Haystack's Whoosh backend (about 14 MiB a process) wherever Whoosh is installed.
        from marketplace.search.views import FacetedSearchView

        self.search_view = FacetedSearchView
