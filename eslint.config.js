import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['node_modules', 'dist', 'data', 'db/migrations', 'server/web/vendor', '.tap'] }),
  {
    rules: {
      // Compact one-line objects with a line break between groups read better in route schemas.
      '@stylistic/object-property-newline': 'off'
    }
  }
]
