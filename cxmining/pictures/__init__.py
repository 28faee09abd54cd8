"""The pictures of the customer process drawn from the mining tables: the process map and the swimlane view."""
