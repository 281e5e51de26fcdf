"""The pages a shopper browses that compose every layer below: the design directory and the design page (its
levels, live offers nearest first, marks, documentation, costs), the product page (Oscar's, with every live offer
and the design it comes from) and the catalogue's listing and search. Oscar's catalogue URLs take their product page
from here (``catalog.apps``)."""
