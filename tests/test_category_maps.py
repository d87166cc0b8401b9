from crimecast.data.category_maps import HOME_OFFICE, POLICE_UK, shipped_for


def test_a_shipped_map_is_found_whatever_the_case_and_punctuation_of_its_names():
    names = ["fraud offences", "THEFT OFFENCES", "violence-against-the-person"]
    assert shipped_for(names, HOME_OFFICE) == {"fraud offences": HOME_OFFICE["Fraud offences"],
                                               "THEFT OFFENCES": HOME_OFFICE["Theft offences"],
                                               "violence-against-the-person": HOME_OFFICE["Violence against the person"]}
    assert shipped_for(names, POLICE_UK) is None  # fraud and theft offences are not police.uk crime types
    assert shipped_for(["antisocial behaviour"], POLICE_UK) is None  # a letter off is not folded away
    assert shipped_for(["burglary", "robbery"], POLICE_UK) is None  # one-word slugs: any source's categories
    assert shipped_for(["Burglary", "Robbery"], POLICE_UK) is not None  # police.uk's own names
