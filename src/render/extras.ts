/** Links a feed carries beyond its own self link: WebSub hub and RFC 5005 paging. */
export interface FeedExtras {
  /** WebSub hub URL. */
  readonly hub?: string;
  readonly first?: string;
  readonly next?: string;
  readonly previous?: string;
  readonly last?: string;
  /** A page for people showing this feed. */
  readonly html?: string;
}

export const PAGING_RELS = ['first', 'next', 'previous', 'last'] as const;
