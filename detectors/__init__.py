"""Detectors: pure scoring over market frames (frames in, findings out), plus the job runner."""
