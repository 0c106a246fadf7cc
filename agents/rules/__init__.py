"""Decision rules: small pure functions of a man's (or region's) attributes and the policy.

One file per decision, so that "who evades a notice" is answered in ``evasion.py``,
"who signs a contract" in ``enlistment.py``, "who leaves before any notice" in
``emigration.py``, "what an evader does next" in ``evader_fate.py``, "who is killed or wounded
at the front" in ``front.py``, "how a mobilisation is shared among the regions" in
``mobilisation_quota.py`` and "how a governor sets the regional bonus" in ``governor.py``.  They take numbers or numpy arrays and return
numbers or arrays; they draw no random numbers, so they can be tested on their own.
"""
