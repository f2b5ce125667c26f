"""Which device and dtype a model runs on: fp32 on the CPU (deterministic), bf16 on a GPU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lakehouse.reward.config import DevicePreference

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, slots=True)
class DevicePlan:
    """A resolved device. `dtype` is `"bfloat16"` on CUDA (half the memory traffic, tensor cores;
    scores move by ~1e-3, well under what matters for a reward) and `"float32"` on the CPU, where
    bf16 matmuls are slow on most cores and fp32 keeps scores bit-for-bit reproducible."""

    device: Literal["cpu", "cuda"]
    dtype: Literal["float32", "bfloat16"]

    @property
    def is_gpu(self) -> bool:
        return self.device == "cuda"

    def torch_dtype(self) -> torch.dtype:
        import torch

        return torch.bfloat16 if self.dtype == "bfloat16" else torch.float32

    def batch_size(self, *, cpu: int, gpu: int) -> int:
        return gpu if self.is_gpu else cpu


def resolve_device(preference: DevicePreference = "auto") -> DevicePlan:
    """The device to run on. `"cuda"` without a visible GPU is an error rather than a silent
    fall-back to a CPU that would take hours over a night of answers."""
    import torch

    has_cuda = torch.cuda.is_available()
    if preference == "cuda" and not has_cuda:
        raise RuntimeError(
            "device 'cuda' was asked for but torch sees no GPU; use device='auto' or 'cpu'"
        )
    if preference == "cpu" or not has_cuda:
        return DevicePlan(device="cpu", dtype="float32")
    return DevicePlan(device="cuda", dtype="bfloat16")
