"""Members' data rights: exporting what we hold about a member, and erasing it."""
