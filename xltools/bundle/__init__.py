"""The offline Windows bundle: its builder (:mod:`.build`) and its installer (:mod:`.installer`)."""
