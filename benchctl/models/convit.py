"""ConViT (d'Ascoli et al., "ConViT: Improving Vision Transformers with Soft Convolutional
Inductive Biases", ICML 2021, arXiv:2103.10697). ConViT-tiny is a comparator in MobileOne's Table 9.
Architecture from timm's `convit.py`.
"""

from __future__ import annotations

from benchctl.models._timm import register_timm

PAPER = "d'Ascoli et al., ConViT, ICML 2021 (arXiv:2103.10697)"

register_timm(
    "convit_tiny", family="convit", variant="tiny", module="convit", paper=PAPER, role="comparator"
)
