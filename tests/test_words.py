from crimecast.words import counted, plural


def test_counted_says_one_without_an_s_and_any_other_number_with_one():
    assert [counted(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert counted(3, "category", "categories") == "3 categories" and counted(1, "category", "categories") == "1 category"
    assert counted(2, "series", "series") == "2 series"


def test_plural_is_the_word_alone():
    assert plural(1, "model") == "model" and plural(2, "model") == "models"
