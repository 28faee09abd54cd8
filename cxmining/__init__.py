"""cxmining: customer-process mining on call-centre, web and order logs."""

__version__ = "0.1.0"
