"""Who was in the invasion force of 24 February 2022: the men of the units that went in.

The force was the peacetime army of the units that crossed the border, so its dead came home to the
regions where those units are based (garrisons_2022.csv).  A unit's contract soldiers are hired at its
gates ("80% of the servicemen are from Kyzyl" of the 55th brigade in Tuva; "the majority" local in
Buryatia's units), so ``local_share`` of each unit comes from its base region.  The rest come from the
whole country's pre-war professional army, recruited where the army's pay counted most: the same men
who sign a contract in wartime (agents.rules.enlistment), at the pre-war terms -- no bonus, no
neighbours signing, no deaths to fear -- so the pre-war army and wartime contracts share one notion of
who signs and the national pool adds no parameter of its own.

Each unit's share of the force is its battalion tactical groups (the middle of the table's low-high
estimate): the support, staff and rear of each army are taken to come from its bases in the same
proportion, since only the manoeuvre units are listed.
"""

from __future__ import annotations

import numpy as np


def garrison_btgs(units, isos) -> np.ndarray:
    """Battalion tactical groups sent by the units based in each region of ``isos`` (mid estimates).

    ``units``: rows with ``iso``, ``btg_low``, ``btg_high``.  A unit based outside the regions (the 201st base
    in Tajikistan) has no home region to send its dead to and is left out.
    """
    where = {iso: i for i, iso in enumerate(isos)}
    btgs = np.zeros(len(isos))
    for u in units:
        if u["iso"] in where:
            btgs[where[u["iso"]]] += (float(u["btg_low"] or 0) + float(u["btg_high"] or 0)) / 2.0
    return btgs


def region_shares(garrison_btgs, prewar_signers, local_share: float, men=None) -> np.ndarray:
    """Each region's share of the invasion force: ``local_share`` of every unit from its base region, the rest
    from the national pool of the pre-war army in proportion to each region's pre-war signers.  Sums to 1.

    In a what-if where nobody would sign (no contract hazard, no fit men) the pre-war army still existed: its
    national pool is then shared by ``men``."""
    btgs, signers = np.asarray(garrison_btgs, dtype=float), np.asarray(prewar_signers, dtype=float)
    if signers.sum() <= 0 and men is not None:
        signers = np.asarray(men, dtype=float)
    if btgs.sum() <= 0 or signers.sum() <= 0:
        raise ValueError("the invasion force needs garrisons and pre-war signers somewhere")
    return local_share * btgs / btgs.sum() + (1.0 - local_share) * signers / signers.sum()
