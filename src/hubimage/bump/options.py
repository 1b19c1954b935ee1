"""The options of one bump, applied to each file it edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hubimage.bump.edit import edit_config_text, image_with_digest
from hubimage.bump.result import ConfigEdit


@dataclass(frozen=True)
class EditOptions:
    image: str
    path: str | None = None
    allow_shared: bool = False
    update_references: bool = False
    chart: str | None = None
    create: bool = False
    digest: str | None = None

    def edit(self, text: str, file: str, hubs: Sequence[str], **extra: Any) -> ConfigEdit:
        return edit_config_text(
            text,
            filename=file,
            hubs=hubs,
            image=self.image,
            path=self.path,
            allow_shared=self.allow_shared,
            update_references=self.update_references,
            create=self.create,
            digest=self.digest,
            **{"chart": self.chart, **extra},
        )

    @property
    def new_image(self) -> str:
        return image_with_digest(self.image, self.digest)
