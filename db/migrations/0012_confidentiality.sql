-- Reserved for the migration of this change; nothing yet.
SELECT 1;
