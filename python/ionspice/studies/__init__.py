"""The studies of the documentation, as a package on top of the module: each builds its netlists
with ``ionspice.arrays`` (or reads them from ``netlists/``), runs them in-process with
``ionspice.run``, evaluates the plots with numpy and plain Python, and writes its page or section
with its figures (gnuplot).

Modules:

``common``
    what the studies share: the source tree (``--root``, ``IONSPICE_SOURCE_DIR`` or the current
    directory), runs timed, programming maps, sample midpoints, number formatting, markdown
    tables and gnuplot figures.
``mtt``
    docs/mtt.md: the MTT units of ``netlists/mtt/``, their weight transfer fitted with
    ``ionspice.fit.mtt``.
``h1e1t_programming``
    H-1E1T programming: the four stages and a 4x4 array programmed by rows and by columns.
``mtt_inference``
    MTT-array inference and a 2x3x1 XOR network.
``crossbar_reads``
    crossbar reads: vector-matrix product error, IR drop and sneak currents, passive and 1T1R.
``open_loop_programming``
    open-loop programming of a 10x10 ECRAM array, then write-and-verify.
``arrays``
    docs/arrays.md: the four array studies above, run in turn.
``training``
    in-situ training of a 10x5x2 network of ECRAM crossbars (docs/training.md).

Run one as ``python3 -m ionspice.studies.NAME`` (``--help`` for its options), with the build's
package on the path::

    PYTHONPATH=build/python python3 -m ionspice.studies.arrays    # rewrites docs/arrays.md
    PYTHONPATH=build/python python3 -m ionspice.studies.mtt       # rewrites docs/mtt.md

The package is copied into build/python, so a study finds the source tree (docs/, netlists/)
from ``--root``, else ``IONSPICE_SOURCE_DIR``, else the current directory.
"""
