"""Automatic fixes for findings: one module per fixer, a router that verifies and re-checks.

`fixers.base` (declarations, registry), `inpaint`, `upscale`, `outpaint`, `recolour`,
`srgb`, `sign`, `generative` (user-supplied torch inpainting weights), `containment`,
`lineage` (sidecar + C2PA) and `router` (plan -> apply -> verify -> re-check -> accept).
"""
