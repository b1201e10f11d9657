// The ids the site, the server and the course's content agree on.

/** An exercise's id: its folder's name under content/, used in URLs. */
export const EXERCISE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const EXERCISE_ID_RULE = "An exercise id is lowercase letters, digits and '-'.";
