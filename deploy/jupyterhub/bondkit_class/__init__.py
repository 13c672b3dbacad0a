"""A class on one JupyterHub server: who is in it, what each student's server gets, how labs end.

Modules: :mod:`.settings` (what the teacher chooses, from the environment), :mod:`.roster` (the class
list and each student's language), :mod:`.workspace` (a student's copy of the notebooks, made as that
student), :mod:`.teardown` (a student's lab torn down, as that student), :mod:`.spawner` (the spawner
that puts them together), :mod:`.reset` (the teacher's reset command), :mod:`.preflight` (what the
start command checks first).
"""
