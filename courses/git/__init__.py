"""Git for the classroom: the learner's own exercise repositories, with pygit2 only.

By job: :mod:`courses.git.safety` (what makes a repository one Slate may open),
:mod:`courses.git.ops` (the Git panel's operations and the sandboxed command-line entry),
:mod:`courses.git.render` (the panel's text), :mod:`courses.git.authoring` (scripted steps,
starter repositories, provisioning). :mod:`courses.gitops` is the public face the rest of Slate
imports. This package file imports nothing, so a sandbox needs only the modules it runs.
"""
