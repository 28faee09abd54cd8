"""Synthetic landing folder: a simulated online retailer's orders, web and call logs with a
planted, documented ground truth (see docs/sample.md)."""

from __future__ import annotations

from cxmining.synthetic.landing import write_sample
from cxmining.synthetic.settings import Effects, SampleError

__all__ = ["Effects", "SampleError", "write_sample"]
