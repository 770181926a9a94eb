"""The packages of the wheel; everything else is in pyproject.toml.

``resources/`` (fonts, rulesets, reference and demo data) stays at the top of the repository, where
build.spec also takes it from, and is shipped as the package data ``cannngheo_desktop.resources``
(the mapping and the file globs are in pyproject.toml). pyproject.toml alone cannot list a mapped
package next to ``packages.find``, hence these lines. ``paths.resources_dir()`` finds it in a
source checkout, an installed wheel and the frozen app.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["cannngheo_desktop*"]), "cannngheo_desktop.resources"])
