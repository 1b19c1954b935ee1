"""The ways to build a hub image, one small class each (`detect()`, `prepare()`), as
repo2docker's build packs: `dockerfile`, `pangeo` (pangeo/base-image's ONBUILD) and
`repo2docker` (with its app and engine plugin). `hubimage.imagebuild` picks one in order."""
