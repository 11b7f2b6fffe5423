/**
 * Supporting documents: what the service accepts. The type is decided from
 * the content's first bytes (magic numbers), never from the file name or the
 * Content-Type the client sent, so a renamed executable is not a "PDF".
 */
export type DocumentType = 'application/pdf' | 'image/png' | 'image/jpeg'

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
export const MAX_DOCUMENTS_PER_OWNER = 20

const SIGNATURES: Array<{ type: DocumentType, magic: number[] }> = [
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // "%PDF-"
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] }, // \x89PNG\r\n\x1a\n
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] } // SOI marker + the next marker's 0xFF
]

/** The document's type from its content, or null when it is none of PDF, PNG, JPEG. */
export function detectDocumentType (content: Uint8Array): DocumentType | null {
  for (const { type, magic } of SIGNATURES) {
    if (content.length >= magic.length && magic.every((b, i) => content[i] === b)) return type
  }
  return null
}

export const EXTENSIONS: Record<DocumentType, string> = { 'application/pdf': '.pdf', 'image/png': '.png', 'image/jpeg': '.jpg' }

/** Other extensions that name the same type. */
const SAME_TYPE: Record<DocumentType, string[]> = { 'application/pdf': ['.pdf'], 'image/png': ['.png'], 'image/jpeg': ['.jpg', '.jpeg'] }

/**
 * Characters removed from names: every control character (C0 and C1, U+0085 included, and DEL), every
 * invisible format character (Unicode category Cf: bidirectional marks, embeddings, overrides and isolates,
 * zero-width characters, the BOM, soft hyphen, tag characters), the line and paragraph separators, lone
 * surrogates, and the quote. With them "invoice\u202Efdp.exe" would display as "invoiceexe.pdf".
 */
const UNSAFE_NAME_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}"]/gu

/**
 * A file name safe to store and to echo in Content-Disposition: no path, no
 * control or invisible reordering characters, at most 200 characters, and the
 * extension of the type the content has (a PDF is always "….pdf": another
 * extension is replaced, none gets one); "document" + the extension when
 * nothing is left.
 */
export function cleanDocumentName (raw: string | undefined, type: DocumentType): string {
  const cleaned = ((raw ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '').replace(UNSAFE_NAME_CHARS, '').trim()
  const found = /\.[^.\s]{1,10}$/.exec(cleaned)?.[0]
  const ext = found != null && SAME_TYPE[type].includes(found.toLowerCase()) ? found : EXTENSIONS[type]
  // Cut by code points, not UTF-16 units, so a long name never ends in half an emoji.
  const stem = Array.from((found == null ? cleaned : cleaned.slice(0, -found.length)).replace(/[.\s]+$/, '')).slice(0, 200 - ext.length).join('')
  return stem === '' ? `document${EXTENSIONS[type]}` : stem + ext
}

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition (name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_')
  const encoded = encodeURIComponent(name).replace(/['()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
