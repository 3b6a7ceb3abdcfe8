"""EMO (Zhang et al., "Rethinking Mobile Block for Efficient Attention-based Models", ICCV 2023,
arXiv:2301.01146): a ResNet-like four-stage network built only from Inverted Residual Mobile Blocks
(iRMB). EMO is not in timm or torchvision; this is the project's own implementation, written from
the paper and checked against its published parameter and FLOP counts (`benchctl models verify`).

Where each choice comes from ("paper" = seed 004; "authors" = the public configuration in the
authors' repository zhangzjn/EMO, `model/emo.py`, read for its hyper-parameters only):

- iRMB (paper §2.3, Eq. 4, Fig. 4): pre-norm → EW-MHSA → expansion MLP_e (1×1 conv) → DW-Conv with
  its own skip → shrink MLP_s (1×1 conv) → block residual. Attention is computed from the
  *unexpanded* input (Q = K = X) and applied before MLP_e, the paper's "efficient equivalent
  implementation" (the default there). MHSA only in stages 3-4 (paper). The values are the
  normalized input itself split into heads; Q and K come from one 1×1 conv with bias (authors).
- BN + SiLU bound to the DW-Conv; LN in front of the stage-3/4 blocks and GELU in their MLP_e; BN
  and SiLU in stages 1-2 (paper §2.4 "Details", stage assignment from the authors). Norm epsilon
  1e-6, no bias in the DW-Conv nor in MLP_s, bias in MLP_e (authors).
- Windows: 7×7 windows (authors; the paper leaves w out), zero-padded to a multiple of 7. A window
  gathers pixels at a stride of (map size / 7), i.e. the map is split into a 7×7 grid of dilated
  windows, as the authors' code does; a contiguous split would have the same params and MACs.
  Heads = channels / head dim, head dims per variant from the authors.
- Down-sampling (paper: "iRMB is competent for down-sampling" through the DW stride): the first
  block of every stage has stride 2, no skip, no attention and twice the stage's expansion ratio
  (authors). DW kernels 3, 3, 5, 5 per stage (authors).
- Stem (paper: not given): a 3×3 stride-2 conv to 24 channels with BN, then one iRMB without norm,
  expansion or skip whose DW-Conv is followed by a squeeze-excite of ratio 1 (authors).
- Head (paper: not given): LN, global average pool, linear classifier (authors).
- Depths, widths, expansion ratios: paper Table 4. EMO-6M: the paper says "EMO-5M with stage-4
  channels 288 → 320"; the authors' configuration also raises the stage-4 expansion ratio 4 → 5
  and uses head dims (16, 24, 20, 32). We follow the authors: only then do the counts match the
  paper's own 6.1 M / 961 M (channels alone give 5.6 M / 914 M).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from benchctl.models._registry import ModelSpec, register_model

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["EmoConfig", "EMO_CONFIGS", "build_emo"]

PAPER = (
    "Zhang et al., Rethinking Mobile Block for Efficient Attention-based Models (EMO), ICCV 2023 "
    "(arXiv:2301.01146)"
)
_SOURCE_FILES = (("benchctl", "benchctl/models/emo.py"),)


@dataclass(frozen=True)
class EmoConfig:
    """One EMO variant: per-stage lists of four."""

    depths: tuple[int, ...]
    dims: tuple[int, ...]
    exp_ratios: tuple[float, ...]
    head_dims: tuple[int, ...]  # only stages with attention use theirs
    stem_dim: int = 24
    dw_kernels: tuple[int, ...] = (3, 3, 5, 5)
    attention: tuple[bool, ...] = (False, False, True, True)
    layer_norm: tuple[bool, ...] = (False, False, True, True)  # LN (else BN) before the block
    gelu: tuple[bool, ...] = (False, False, True, True)  # GELU (else SiLU) in MLP_e
    window: int = 7


EMO_CONFIGS: dict[str, EmoConfig] = {
    "1m": EmoConfig((2, 2, 8, 3), (32, 48, 80, 168), (2.0, 2.5, 3.0, 3.5), (16, 16, 20, 21)),
    "2m": EmoConfig((3, 3, 9, 3), (32, 48, 120, 200), (2.0, 2.5, 3.0, 3.5), (16, 16, 20, 20)),
    "5m": EmoConfig((3, 3, 9, 3), (48, 72, 160, 288), (2.0, 3.0, 4.0, 4.0), (24, 24, 32, 32)),
    "6m": EmoConfig((3, 3, 9, 3), (48, 72, 160, 320), (2.0, 3.0, 4.0, 5.0), (16, 24, 20, 32)),
    # The tiny test variant: every code path (stem SE, strided blocks, DW skip, padded multi-window
    # attention) at 64×64 input and 43 k parameters.
    "test": EmoConfig(
        (1, 1, 2, 2), (8, 16, 16, 24), (2.0, 2.0, 2.0, 2.0), (8, 8, 8, 8), stem_dim=8, window=3
    ),
}


def _modules() -> dict[str, Any]:
    """The torch classes, defined on first use so that registering EMO never imports torch."""
    global _MODULES
    if _MODULES is None:
        _MODULES = _define_modules()
    return _MODULES


_MODULES: dict[str, Any] | None = None


def _define_modules() -> dict[str, Any]:
    """The classes, defined in a function so that torch is imported only when one is built."""
    import torch
    import torch.nn.functional as F  # noqa: N812
    from torch import nn

    class LayerNorm2d(nn.LayerNorm):
        """LayerNorm over the channels of an NCHW map (one normalization per pixel)."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = F.layer_norm(
                x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps
            )
            return x.permute(0, 3, 1, 2)

    class SqueezeExcite(nn.Module):
        """Channel gate from globally pooled features (used once, in the stem block)."""

        def __init__(self, channels: int, reduced: int, act: type[nn.Module]) -> None:
            super().__init__()
            self.reduce = nn.Conv2d(channels, reduced, 1)
            self.act = act()
            self.expand = nn.Conv2d(reduced, channels, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            s = self.expand(self.act(self.reduce(x.mean((2, 3), keepdim=True))))
            return x * torch.sigmoid(s)

    class WindowAttention(nn.Module):
        """EW-MHSA's attention: heads over windows of the unexpanded input, Q = K = X, V = X.

        The values are the input itself; the block's expansion MLP_e follows, which is the
        paper's reordering of "attention × MLP_e(X)" into "MLP_e(attention × X)".
        """

        def __init__(self, dim: int, head_dim: int, window: int) -> None:
            super().__init__()
            if dim % head_dim:
                raise ValueError(f"EMO: {dim} channels do not split into heads of {head_dim}")
            self.heads = dim // head_dim
            self.head_dim = head_dim
            self.window = window
            self.scale = head_dim**-0.5
            self.qk = nn.Conv2d(dim, 2 * dim, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            b, c, h, w = x.shape
            win = self.window if self.window > 0 else max(h, w)
            pad_h, pad_w = (-h) % win, (-w) % win
            x = F.pad(x, (0, pad_w, 0, pad_h))
            n_h, n_w = (h + pad_h) // win, (w + pad_w) // win
            # Window (i, j) holds the pixels (i + n_h·a, j + n_w·b): a grid of dilated windows.
            xw = x.reshape(b, c, win, n_h, win, n_w).permute(0, 3, 5, 1, 2, 4)
            xw = xw.reshape(b * n_h * n_w, c, win, win)
            tokens = win * win
            q, k = self.qk(xw).reshape(-1, 2, self.heads, self.head_dim, tokens).unbind(1)
            attn = (q.transpose(-2, -1) @ k) * self.scale  # (B', heads, tokens, tokens)
            v = xw.reshape(-1, self.heads, self.head_dim, tokens).transpose(-2, -1)
            out = (attn.softmax(dim=-1) @ v).transpose(-2, -1).reshape(-1, c, win, win)
            out = out.reshape(b, n_h, n_w, c, win, win).permute(0, 3, 4, 1, 5, 2)
            out = out.reshape(b, c, h + pad_h, w + pad_w)
            return out[:, :, :h, :w]

    class IRMB(nn.Module):
        """Inverted Residual Mobile Block: norm → [EW-MHSA] → MLP_e → DW-Conv(+skip) → MLP_s."""

        def __init__(
            self,
            dim_in: int,
            dim_out: int,
            *,
            exp_ratio: float,
            stride: int = 1,
            dw_kernel: int = 3,
            norm: str | None = "bn",  # "bn", "ln" or None (no pre-norm)
            act: type[nn.Module] = nn.SiLU,
            attention: bool = False,
            head_dim: int = 32,
            window: int = 7,
            expand: bool = True,
            se_ratio: float = 0.0,
            skip: bool = True,
            drop_path: float = 0.0,
        ) -> None:
            super().__init__()
            if norm == "ln":
                self.norm: nn.Module = LayerNorm2d(dim_in, eps=1e-6)
            elif norm == "bn":
                self.norm = nn.BatchNorm2d(dim_in, eps=1e-6)
            else:
                self.norm = nn.Identity()
            dim_mid = int(dim_in * exp_ratio)
            self.attn = WindowAttention(dim_in, head_dim, window) if attention else nn.Identity()
            if expand:
                self.expand: nn.Module = nn.Sequential(nn.Conv2d(dim_in, dim_mid, 1), act())
            elif dim_mid == dim_in:
                self.expand = nn.Identity()
            else:
                raise ValueError("EMO: an iRMB without MLP_e needs an expansion ratio of 1")
            self.dw = nn.Sequential(
                nn.Conv2d(
                    dim_mid,
                    dim_mid,
                    dw_kernel,
                    stride,
                    math.ceil((dw_kernel - stride) / 2),
                    groups=dim_mid,
                    bias=False,
                ),
                nn.BatchNorm2d(dim_mid, eps=1e-6),
                nn.SiLU(),
            )
            self.se = (
                SqueezeExcite(dim_mid, round(dim_mid * se_ratio), act)
                if se_ratio > 0
                else nn.Identity()
            )
            self.project = nn.Conv2d(dim_mid, dim_out, 1, bias=False)
            # The DW skip and the block residual exist together (paper Eq. 4 and Fig. 4).
            self.has_skip = skip and stride == 1 and dim_in == dim_out
            self.drop_path = drop_path

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shortcut = x
            x = self.expand(self.attn(self.norm(x)))
            y = self.se(self.dw(x))
            x = self.project(x + y if self.has_skip else y)
            if not self.has_skip:
                return x
            if self.training and self.drop_path > 0:
                keep = 1.0 - self.drop_path
                mask = x.new_empty(x.shape[0], 1, 1, 1).bernoulli_(keep) / keep
                x = x * mask
            return shortcut + x

    class EMO(nn.Module):
        """Stem, four stages of iRMBs, LN + global pool + linear head."""

        def __init__(
            self,
            cfg: EmoConfig,
            num_classes: int = 1000,
            in_chans: int = 3,
            drop_path_rate: float = 0.0,
        ) -> None:
            super().__init__()
            self.num_classes = num_classes
            self.stem = nn.Sequential(
                nn.Conv2d(in_chans, cfg.stem_dim, 3, 2, 1),
                nn.BatchNorm2d(cfg.stem_dim, eps=1e-6),
                IRMB(
                    cfg.stem_dim,
                    cfg.stem_dim,
                    exp_ratio=1.0,
                    dw_kernel=cfg.dw_kernels[0],
                    norm=None,
                    expand=False,
                    se_ratio=1.0,
                    skip=False,
                ),
            )
            rates = torch.linspace(0, drop_path_rate, sum(cfg.depths)).tolist()
            stages, dim, k = [], cfg.stem_dim, 0
            for i, depth in enumerate(cfg.depths):
                act = nn.GELU if cfg.gelu[i] else nn.SiLU
                blocks = []
                for j in range(depth):
                    first = j == 0
                    blocks.append(
                        IRMB(
                            dim,
                            cfg.dims[i],
                            exp_ratio=cfg.exp_ratios[i] * (2 if first else 1),
                            stride=2 if first else 1,
                            dw_kernel=cfg.dw_kernels[i],
                            norm="ln" if cfg.layer_norm[i] else "bn",
                            act=act,
                            attention=cfg.attention[i] and not first,
                            head_dim=cfg.head_dims[i],
                            window=cfg.window,
                            skip=not first,
                            drop_path=rates[k],
                        )
                    )
                    dim, k = cfg.dims[i], k + 1
                stages.append(nn.Sequential(*blocks))
            self.stages = nn.Sequential(*stages)
            self.norm = (
                LayerNorm2d(dim, eps=1e-6) if cfg.layer_norm[-1] else nn.BatchNorm2d(dim, eps=1e-6)
            )
            self.head = nn.Linear(dim, num_classes)
            self.apply(self._init)

        @staticmethod
        def _init(m: nn.Module) -> None:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

        def forward_features(self, x: torch.Tensor) -> torch.Tensor:
            return self.norm(self.stages(self.stem(x)))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.forward_features(x).mean((2, 3)))

    return {
        "LayerNorm2d": LayerNorm2d,
        "SqueezeExcite": SqueezeExcite,
        "WindowAttention": WindowAttention,
        "IRMB": IRMB,
        "EMO": EMO,
    }


def build_emo(variant: str, **kwargs: Any) -> nn.Module:
    """Build EMO-<variant> ("1m", "2m", "5m", "6m" or "test") with random weights."""
    return _modules()["EMO"](EMO_CONFIGS[variant], **kwargs)


def __getattr__(name: str) -> Any:
    """`emo.IRMB`, `emo.WindowAttention`… resolve lazily (they need torch)."""
    if name in ("LayerNorm2d", "SqueezeExcite", "WindowAttention", "IRMB", "EMO"):
        return _modules()[name]
    raise AttributeError(name)


def _factory(variant: str):
    def build(**kwargs: Any):
        return build_emo(variant, **kwargs)

    build.__name__ = f"emo_{variant}"
    return build


for _v in ("1m", "2m", "5m", "6m"):
    register_model(
        ModelSpec(
            name=f"emo_{_v}",
            family="emo",
            variant=_v.upper(),
            factory=_factory(_v),
            paper=PAPER,
            source="benchctl:benchctl.models.emo",
            source_files=_SOURCE_FILES,
            notes="implemented in benchctl from the paper; see the module docstring of "
            "benchctl/models/emo.py for where each unstated detail comes from",
        )
    )

register_model(
    ModelSpec(
        name="test_emo",
        family="emo",
        variant="test",
        factory=_factory("test"),
        input_size=(3, 64, 64),
        paper=PAPER,
        source="benchctl:benchctl.models.emo",
        source_files=_SOURCE_FILES,
        is_test=True,
    )
)
