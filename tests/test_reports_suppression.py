"""Small-number suppression for the equalities tables (issue 17, point 2)."""

import random

from reports.tables import Suppressed, suppress


def lines(grid, rows, columns, grand):
    """Every line of the table with its total: each row, each column, the two lines of totals."""
    yield from ([*row, total] for row, total in zip(grid, rows, strict=True))
    yield from (
        [*column, total] for column, total in zip(zip(*grid, strict=True), columns, strict=True)
    )
    yield [*columns, grand]
    yield [*rows, grand]


def test_counts_under_the_threshold_are_withheld_and_zeros_shown():
    grid, rows, columns, grand = suppress([[12, 0], [3, 9]], [12, 12], [15, 9], threshold=5)
    assert grid[1][0] == Suppressed(5)
    assert grid[0][1] == 0
    assert str(grid[1][0]) == "fewer than 5"


def test_one_withheld_count_in_a_line_takes_the_next_smallest_with_it():
    grid, rows, columns, grand = suppress([[20, 3, 7], [6, 8, 9]], [30, 23], [26, 11, 16], 5)
    # The 3 alone would be 30 - 20 - 7: the 7 goes too; then the columns and rows they sit in.
    assert grid[0][1] == grid[0][2] == Suppressed(5)
    for line in lines(grid, rows, columns, grand):
        assert sum(isinstance(value, Suppressed) for value in line) != 1


def test_no_line_ever_gives_a_withheld_count_away():
    generator = random.Random(17)
    for _ in range(500):
        height, width = generator.randint(1, 6), generator.randint(1, 4)
        grid = [
            [generator.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for _ in range(width)]
            for _ in range(height)
        ]
        rows = [sum(row) for row in grid]
        columns = [sum(column) for column in zip(*grid, strict=True)]
        shown = suppress(grid, rows, columns, threshold=5)
        for line in lines(*shown):
            assert sum(isinstance(value, Suppressed) for value in line) != 1, (grid, shown)
        for original, masked in zip(grid, shown[0], strict=True):
            for value, mask in zip(original, masked, strict=True):
                if 0 < value < 5:
                    assert mask == Suppressed(5)
                elif not isinstance(mask, Suppressed):
                    assert mask == value
