"""Calibration with uncertainty: history matching in waves with Gaussian-process emulators, then a posterior.

The nouns, as in EMA Workbench and the ABM calibration literature (Andrianakis et al. 2015; Vernon et
al. 2010): a parameter space (:mod:`.space`, priors over the calibrated parameters and the unit cube
the emulators work in), emulators (:mod:`.emulator`, one Gaussian process per target), and the history
matching itself (:mod:`.history_matching`: implausibility, the not-ruled-out-yet space, the next
wave's points, and which targets rule out most or conflict).  These are pure functions of arrays; the
runs come from the sweep machinery (experiments/runs.py, executors.py, store.py).
"""
