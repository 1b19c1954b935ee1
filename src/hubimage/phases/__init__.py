"""The named phases of `hubimage run`, each a log group, sharing one `RunOutcome`.

`pipeline.run_pipeline` decides their order; each phase does one thing and records what it
learned in the outcome, so the outputs and the job summary are right however far the run got.
They are built up in layers, each module adding to the one before:

- `state`: what every phase shares (inputs, outcome, engine, login, the hub's current image);
- `checking`: the checks, their record on the image, the package comparison;
- `building`: the build and its cache;
- `publishing`: the tag, an image already published under it, the push, the bump.
"""

from hubimage.phases.publishing import Phases

__all__ = ["Phases"]
