"""Kembar's analytics: a plain Python library with no Django in it.

Each module is one family of pure functions over numbers, arrays and graphs
(``geodesy`` for distances on the Earth; reach, input-output economics, the
twin-city network, capacity and health follow).  Functions document their
formula and a reference, and raise the exception types of
:mod:`kembar.analytics.exceptions`.  Nothing here imports the rest of the
project: services load data from the database and call in.
"""
