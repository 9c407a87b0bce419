"""The learner app's screens, one per file; modals are ``ModalScreen[T]`` returning by dismiss."""
