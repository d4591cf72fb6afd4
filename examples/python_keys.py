"""The scenarios of examples/python_keys.rs, run by a real CPython: the same output, line for
line (tests/python_keys.rs compares the two).

    python3 examples/python_keys.py
"""


class Nasty:
    """__hash__ returns `hash`, __eq__ compares `value`, after running the mutation armed for
    the next __eq__ call (once): CPython's test_dict NastyKey."""

    armed = None

    def __init__(self, value, hash_, never_equal=False):
        self.value, self.hash_, self.never_equal = value, hash_, never_equal

    def __hash__(self):
        return self.hash_

    def __eq__(self, other):
        if not isinstance(other, Nasty):
            return False
        armed, Nasty.armed = Nasty.armed, None
        if armed is not None:
            d, action, *args = armed
            if action == "raise":
                raise ValueError(args[0])
            elif action == "insert" and isinstance(d, set):
                d.add(args[0])
            elif action == "insert":
                d[args[0]] = args[1]
            elif action == "delete" and isinstance(d, set):
                d.discard(args[0])
            elif action == "delete":
                del d[args[0]]
            elif action == "clear":
                d.clear()
        return not self.never_equal and self.value == other.value

    def __repr__(self):
        return f"N({self.value})"


def show(thunk):
    try:
        return str(thunk())
    except KeyError as e:
        return f"KeyError: {e.args[0]!r}"
    except ValueError as e:
        return f"ValueError: {e}"
    except RuntimeError as e:
        return f"RuntimeError: {e}"


def rep(d):
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in d.items()) + "}"


def rep_set(s):
    # Sorted by repr: a set's order follows the hashes, and a str's differ from run to run.
    return "{" + ", ".join(sorted(repr(e) for e in s)) + "}" if s else "set()"


# 1. An __eq__ that raises.
d = {Nasty(1, 7): 1}
Nasty.armed = (d, "raise", "eq failed")
print("raise:", show(lambda: d[Nasty(2, 7)]))
print("raise:", rep(d), "unchanged: yes")

# 2. test_mutating_lookup: the compare deletes the key it is compared with.
key1 = Nasty(1, 1)
d = {key1: 1}
Nasty.armed = (d, "delete", key1)
d[Nasty(2, 1)] = 2
print("delete during lookup:", rep(d))

# 3. The compare inserts another key, then says "not equal".
d = {Nasty(1, 1): 1}
Nasty.armed = (d, "insert", "x", 3)
got = show(lambda: d[Nasty(2, 1)])
print("insert during lookup:", got, rep(d))

# 4. The compare inserts another key and says "equal".
d = {Nasty(1, 1): 1}
Nasty.armed = (d, "insert", 100, 4)
got = show(lambda: d[Nasty(1, 1)])
print("insert, then equal:", got, rep(d))

# 5. The compare clears the dict.
d = {Nasty(1, 1): 1, "y": 2}
Nasty.armed = (d, "clear")
d[Nasty(1, 1)] = 5
print("clear during store:", rep(d))
# (A fresh dict: this CPython cannot find a key equal to N(1) by __eq__ in the dict above; see
# the comment in python_keys.rs.)
d = {Nasty(1, 1): 5}
Nasty.armed = (d, "clear")
got = show(lambda: d[Nasty(1, 1)])
print("clear during lookup:", got, rep(d))

# 6. __eq__ inconsistent with __hash__; a key never equal, not even to itself.
d = {Nasty(1, 1): 1}
print("equal but other hash:", show(lambda: d[Nasty(1, 2)]))
nan = Nasty(9, 9, never_equal=True)
d[nan] = 9
twin = Nasty(9, 9, never_equal=True)
print(f"never equal: itself {show(lambda: d[nan])}, a twin {show(lambda: d[twin])}")
d[twin] = 10
print("never equal:", rep(d))

# 7. Iteration while the body changes the dict.
d = {i: i * 10 for i in range(4)}
seen = []


def overwrite():
    for key in d:
        seen.append(repr(key))
        d[key] = -1
    return "ok"


result = show(overwrite)
print(f"overwrite while iterating: {result} seen [{', '.join(seen)}] {rep(d)}")
for label in ["insert", "delete"]:
    seen = []

    def change():
        for key in d:
            seen.append(repr(key))
            if len(seen) == 2:
                if label == "insert":
                    d[50] = 50
                else:
                    del d[0]
        return "ok"

    result = show(change)
    print(f"{label} while iterating: {result} seen [{', '.join(seen)}]")
print("after:", rep(d))

# 8. A set, through the same probe.
s = {Nasty(1, 7)}
Nasty.armed = (s, "raise", "eq failed")
print("set raise:", show(lambda: Nasty(2, 7) in s), rep_set(s))
# The compare discards the element it is compared with, during an add.
key1 = Nasty(1, 1)
s = {key1}
Nasty.armed = (s, "delete", key1)
s.add(Nasty(2, 1))
print("set discard during add:", rep_set(s))
# The compare adds another element, then says "not equal" / "equal".
for label, sought in [("not equal", 2), ("equal", 1)]:
    s = {Nasty(1, 1)}
    Nasty.armed = (s, "insert", "x", 0)
    got = show(lambda: Nasty(sought, 1) in s)
    print(f"set add during lookup, {label}:", got, rep_set(s))
# The compare clears the set and says "equal".
for label in ["in", "add"]:
    s = {Nasty(1, 1), "y"}
    Nasty.armed = (s, "clear")
    if label == "in":
        got = show(lambda: Nasty(1, 1) in s)
    else:
        got = show(lambda: s.add(Nasty(1, 1)))
    print(f"set clear during {label}:", got, rep_set(s))
# A for loop over a set.
s = set(range(4))
for label in ["re-add", "add", "discard"]:
    seen = []

    def walk():
        for elem in s:
            seen.append(repr(elem))
            if label == "re-add":
                s.add(elem)
            elif len(seen) == 2 and label == "add":
                s.add(50)
            elif len(seen) == 2 and label == "discard":
                s.discard(0)
        return "ok"

    result = show(walk)
    print(f"set {label} while iterating: {result} seen [{', '.join(seen)}]")
print("set after:", rep_set(s))
