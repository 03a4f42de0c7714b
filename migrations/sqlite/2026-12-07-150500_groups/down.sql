DROP TABLE group_moderators;
DROP TABLE groups;
