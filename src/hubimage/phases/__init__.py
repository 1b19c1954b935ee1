"""The named phases of `hubimage run`, one module each, functions of the run's context.

`pipeline.run_pipeline` calls them in order, top to bottom. Each phase takes the frozen
`RunContext` (`context.py`), does one thing in a named log group, records what the outputs and
the job summary need in the run's one mutable `RunOutcome`, and returns what the next phase
needs:

- `tagging`: the tag; an image already published under it (`Published`); a rebuild's tag;
- `building`: the build into the local engine (`Built`), its cache;
- `checking`: the checks and their record on the image; trust in a published image's record;
  the package comparison of a scheduled rebuild;
- `publishing`: the push, counted once the registry serves the digest (`PushResult`);
- `bumping`: the bump, planned before anything is pushed and made after;
- `reporting`: the outputs and the job summary, once, however far the run got.

`stage_requests` makes each stage's request from the typed inputs, for the phases and for
the single-stage verbs alike.
"""
